package dev.soracamel.app;

import dev.soracamel.SoraPipeline;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.component.file.cluster.FileLockClusterService;

/**
 * Camel Main's entry into the pipeline: starts the sandbox when it is to be used, then installs the
 * beans and provider routes. Named by {@link Application} (tests find it by package scan).
 */
@Configuration
public class SoraConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext ctx) throws Exception {
        boolean sandbox = SandboxMode.applyIfWanted(ctx);
        fileClusterService(ctx);
        SoraPipeline.install(ctx);
        if (!sandbox) {
            SandboxMode.announceLive(ctx);
        }
    }

    /**
     * Nodes that share a folder (NFS, a volume) may elect their leader through a lock file in it, camel-file's own
     * cluster service: {@code sora.cluster.file.root}. Elsewhere a host adds its own (Kubernetes, ZooKeeper, Consul).
     */
    private static void fileClusterService(CamelContext ctx) throws Exception {
        var pc = ctx.getPropertiesComponent();
        String root = pc.resolveProperty("sora.cluster.file.root").map(String::strip).orElse("");
        if (root.isEmpty()) {
            return;
        }
        FileLockClusterService cluster = new FileLockClusterService();
        cluster.setRoot(root);
        pc.resolveProperty("sora.cluster.file.id").map(String::strip).filter(s -> !s.isEmpty()).ifPresent(cluster::setId);
        ctx.addService(cluster);
    }
}
