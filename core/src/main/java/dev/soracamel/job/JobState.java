package dev.soracamel.job;

/**
 * Where a job stands. A job holds one of the provider's active-task slots exactly while it is
 * {@link #SUBMITTING} or {@link #POLLING}: from just before its POST until its final status is seen.
 */
public enum JobState {
    /** Validated and waiting for a free slot and a submit permit. */
    QUEUED,
    /** Its POST is on the wire; the provider may already have a paid task for it. */
    SUBMITTING,
    /** The provider has a task for it; status checks run on the provider's schedule. */
    POLLING,
    /** The provider finished it; the MP4 is being fetched. */
    DOWNLOADING,
    /**
     * The MP4 is downloaded and checked, in the work folder ({@link Job#downloadedFile}), and being written to
     * storage, or waiting to try again while storage is out: a paid video is never given up for that.
     */
    STORING,
    /** Final: the MP4 and its metadata are in the outbox. */
    STORED,
    /** Final: in the dead-letter channel with a reason. */
    DEAD;

    public boolean holdsSlot() {
        return this == SUBMITTING || this == POLLING;
    }

    public boolean isFinal() {
        return this == STORED || this == DEAD;
    }

    /**
     * The states a caller names, comma separated and in any case (a query's {@code ?state=}); all of them for
     * none. At most as many names are read as there are states.
     *
     * @throws IllegalArgumentException for a name that is no state; its message is that name, as given
     */
    public static java.util.Set<JobState> parseList(String names) {
        if (names == null || names.isBlank()) {
            return java.util.EnumSet.allOf(JobState.class);
        }
        java.util.Set<JobState> states = java.util.EnumSet.noneOf(JobState.class);
        for (String s : names.split(",", values().length + 1)) {
            try {
                states.add(valueOf(s.strip().toUpperCase(java.util.Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(s.strip(), e);
            }
        }
        return states;
    }
}
