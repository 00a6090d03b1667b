package dev.soracamel.sandbox;

import java.util.List;

/**
 * The models the simulated {@code /v1/videos} knows: OpenAI's VideoModel enum (dated ids included) and seed
 * 001's fixed-orientation aliases, each with the sizes it renders. Only sora-2-pro renders the 1024x1792 and
 * 1792x1024 sizes; an alias renders its one orientation.
 */
enum VideoModel {

    SORA_2("sora-2", false, Sizes.SORA_2),
    SORA_2_2025_10_06("sora-2-2025-10-06", false, Sizes.SORA_2),
    SORA_2_2025_12_08("sora-2-2025-12-08", false, Sizes.SORA_2),
    SORA_2_PRO("sora-2-pro", true, Sizes.PRO),
    SORA_2_PRO_2025_10_06("sora-2-pro-2025-10-06", true, Sizes.PRO),
    SORA_2_LANDSCAPE("sora-2-landscape", false, List.of(Sizes.LANDSCAPE)),
    SORA_2_LANDSCAPE_HD("sora-2-landscape-hd", false, List.of(Sizes.LANDSCAPE)),
    SORA_2_PORTRAIT("sora-2-portrait", false, List.of(Sizes.PORTRAIT)),
    SORA_2_PORTRAIT_HD("sora-2-portrait-hd", false, List.of(Sizes.PORTRAIT));

    /** The spec's default model when a request names none. */
    static final VideoModel DEFAULT = SORA_2;

    final String id;
    final boolean pro;
    /** The first is the default: the spec's 720x1280, or an alias's only size. */
    final List<String> sizes;

    VideoModel(String id, boolean pro, List<String> sizes) {
        this.id = id;
        this.pro = pro;
        this.sizes = sizes;
    }

    /** Null for a name this API does not serve. */
    static VideoModel find(String id) {
        for (VideoModel m : values()) {
            if (m.id.equals(id)) {
                return m;
            }
        }
        return null;
    }

    String defaultSize() {
        return sizes.get(0);
    }

    /** Before this many provider seconds after creation a status check is early; generation is never faster. */
    double firstCheckSeconds() {
        return pro ? SandboxConfig.FIRST_CHECK_SECONDS_SORA2_PRO : SandboxConfig.FIRST_CHECK_SECONDS_SORA2;
    }

    /** The VideoSize enum of the spec. */
    static final class Sizes {
        static final String PORTRAIT = "720x1280";
        static final String LANDSCAPE = "1280x720";
        static final String PRO_PORTRAIT = "1024x1792";
        static final String PRO_LANDSCAPE = "1792x1024";
        static final List<String> ALL = List.of(PORTRAIT, LANDSCAPE, PRO_PORTRAIT, PRO_LANDSCAPE);
        static final List<String> SORA_2 = List.of(PORTRAIT, LANDSCAPE);
        static final List<String> PRO = ALL;

        private Sizes() {
        }
    }
}
