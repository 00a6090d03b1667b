package dev.soracamel.component;

import org.apache.camel.spi.Metadata;

/** The headers the {@code sora:} component sets. */
public final class SoraConstants {

    @Metadata(label = "producer", description = "What became of the request: accepted, duplicate or rejected.",
              javaType = "String")
    public static final String OUTCOME = "SoraOutcome";
    @Metadata(description = "The job's id (its request_id).", javaType = "String")
    public static final String JOB_ID = "SoraJobId";
    @Metadata(label = "producer", description = "Why a request was rejected, e.g. DURATION_NOT_VALID.",
              javaType = "String")
    public static final String CODE = "SoraCode";
    @Metadata(label = "consumer", description = "The job's customer id, when it has one.", javaType = "String")
    public static final String CUSTOMER_ID = "SoraCustomerId";
    @Metadata(label = "consumer", description = "The provider that made the video.", javaType = "String")
    public static final String PROVIDER = "SoraProvider";
    @Metadata(label = "consumer", description = "The model that made the video.", javaType = "String")
    public static final String MODEL = "SoraModel";
    @Metadata(label = "consumer", description = "The job's estimated cost, when known.",
              javaType = "java.math.BigDecimal")
    public static final String COST = "SoraCost";
    @Metadata(label = "consumer", description = "Which part of the outcome this exchange is: video or metadata "
            + "(event stored), reason or original (event dead).", javaType = "String")
    public static final String PART = "SoraPart";
    @Metadata(label = "consumer", description = "The code of a dead letter, e.g. PROVIDER_FAILED.",
              javaType = "String")
    public static final String DEAD_CODE = "SoraDeadCode";

    private SoraConstants() {
    }
}
