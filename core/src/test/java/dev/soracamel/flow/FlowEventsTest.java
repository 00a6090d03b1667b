package dev.soracamel.flow;

import dev.soracamel.job.Job;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;

class FlowEventsTest {

    @Test
    void an_observer_that_throws_never_reaches_the_step_that_called_it() {
        FlowEvents broken = new FlowEvents() {
            @Override
            public void submitAnswered(Job job, dev.soracamel.provider.SubmitResult r, int httpStatus) {
                throw new IllegalStateException("a meter registry gone wrong");
            }

            @Override
            public void stored(Job job) {
                throw new IllegalStateException("a meter registry gone wrong");
            }
        };
        FlowEvents guarded = FlowEvents.guarded(broken);

        assertThatCode(() -> guarded.submitAnswered(new Job(), null, 200)).doesNotThrowAnyException();
        assertThatCode(() -> guarded.stored(new Job())).doesNotThrowAnyException();
    }
}
