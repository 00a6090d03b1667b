package dev.soracamel.job;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class BanListTest {

    @TempDir
    Path dir;

    @Test
    void the_ban_list_survives_a_restart() {
        BanList bans = new BanList(dir.resolve("bans.txt"));
        bans.ban("bad-1");
        bans.ban("bad-1");
        assertThat(new BanList(dir.resolve("bans.txt")).isBanned("bad-1")).isTrue();
        assertThat(new BanList(dir.resolve("bans.txt")).size()).isEqualTo(1);
        assertThat(bans.isBanned("good")).isFalse();
    }
}
