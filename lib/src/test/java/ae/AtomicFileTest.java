package ae;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {

    @TempDir Path tmp;

    private List<Path> files() throws IOException {
        try (var s = Files.list(tmp.resolve("sub"))) {
            return s.sorted().toList();
        }
    }

    @Test
    void aCommittedFileReplacesTheTargetAndLeavesNothingElse() throws IOException {
        Path target = tmp.resolve("sub").resolve("a.json");
        try (AtomicFile f = AtomicFile.create(target)) {
            assertTrue(f.path().getFileName().toString().startsWith(".a.json.") && f.path().toString().endsWith(".part"), f.path().toString());
            Files.writeString(f.path(), "one");
            assertFalse(Files.exists(target), "nothing under the target's name before the commit");
            f.commit();
        }
        assertEquals("one", Files.readString(target));
        try (AtomicFile f = AtomicFile.create(target)) {
            Files.writeString(f.path(), "two");
            f.commit();
            assertThrows(IllegalStateException.class, f::path);
        }
        assertEquals("two", Files.readString(target));
        assertEquals(List.of(target), files());
    }

    @Test
    void withoutACommitTheTemporaryFileGoesAndTheTargetStaysAsItWas() throws IOException {
        Path target = tmp.resolve("sub").resolve("b.bin");
        Files.createDirectories(target.getParent());
        Files.writeString(target, "old");
        var e = assertThrows(IllegalStateException.class, () -> {
            try (AtomicFile f = AtomicFile.create(target)) {
                Files.writeString(f.path(), "half");
                throw new IllegalStateException("the check failed");
            }
        });
        assertEquals("the check failed", e.getMessage());
        assertEquals("old", Files.readString(target));
        assertEquals(List.of(target), files());
    }
}
