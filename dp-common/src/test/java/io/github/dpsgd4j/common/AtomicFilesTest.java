package io.github.dpsgd4j.common;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void write_createsParents_replacesTheFile_andLeavesOnlyTheTarget() throws IOException {
        Path target = dir.resolve("a/b/state.json");
        AtomicFiles.write(target, "first".getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(target, out -> {
            out.write("sec".getBytes(StandardCharsets.UTF_8));
            out.write("ond".getBytes(StandardCharsets.UTF_8));
            out.close();
        });
        assertEquals("second", Files.readString(target));
        assertEquals(List.of(target), files(target.getParent()));
    }

    @Test
    void write_whenTheContentFails_keepsTheOldFile_andLeavesNoTemporaryFile() throws IOException {
        Path target = dir.resolve("checkpoint.zip");
        AtomicFiles.write(target, new byte[] {1, 2, 3});
        IOException failure = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(new byte[100_000]);
            throw new IOException("disk full");
        }));
        assertEquals("disk full", failure.getMessage());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
        assertEquals(List.of(target), files(dir));
    }

    @Test
    void copy_replacesTheTargetWithTheSource_andLeavesTheSource() throws IOException {
        Path source = dir.resolve("current");
        Path target = dir.resolve("previous");
        Files.writeString(source, "current content");
        Files.writeString(target, "old");
        AtomicFiles.copy(source, target);
        assertEquals("current content", Files.readString(target));
        assertEquals("current content", Files.readString(source));
        assertEquals(List.of(source, target), files(dir));
    }

    @Test
    void write_nullArguments_areRefusedWithTheirName() {
        assertEquals("target must not be null", assertThrows(IllegalArgumentException.class,
                () -> AtomicFiles.write(null, new byte[0])).getMessage());
        assertEquals("bytes must not be null", assertThrows(IllegalArgumentException.class,
                () -> AtomicFiles.write(dir.resolve("x"), (byte[]) null)).getMessage());
    }

    private static List<Path> files(Path directory) throws IOException {
        try (Stream<Path> list = Files.list(directory)) {
            return list.sorted().toList();
        }
    }
}
