package io.gatehouse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line's own surface (13.6): {@code -V}, {@code completion}, help text. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CommandLineTest
{
    private final InProcessCli cli = new InProcessCli();

    @Test
    void shouldPrintVersionCommitNettyAndTheTransportsThisHostCanRun() throws Exception
    {
        assertEquals(0, cli.run("-V"));
        final List<String> lines = cli.out.toString().lines().toList();
        assertTrue(lines.get(0).matches("gatehouse [0-9]+\\.[0-9]+\\.[0-9]+(-SNAPSHOT)?"), lines.toString());
        final String head = git("rev-parse", "--short=7", "HEAD");
        assertTrue(lines.get(1).startsWith("commit: " + head), "built from " + head + ": " + lines);
        assertEquals("netty: " + io.netty.util.Version.identify().get("netty-common").artifactVersion(), lines.get(2));
        assertTrue(lines.get(3).startsWith("java: "), lines.toString());
        final String transports = lines.get(4);
        assertTrue(transports.startsWith("transports: "), transports);
        assertTrue(transports.contains("nio"), transports);
        assertEquals(io.netty.channel.epoll.Epoll.isAvailable(), transports.matches("transports: [^;]*epoll.*"), transports);
        assertEquals(io.netty.channel.uring.IoUring.isAvailable(), transports.matches("transports: [^;]*io_uring.*"), transports);
        assertTrue(transports.matches(".*\\(auto picks (io_uring|epoll|nio)\\).*"), transports);
    }

    private static String git(final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(process.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    @Test
    void shouldPrintACompletionScriptThatBashRuns(@TempDir final Path dir) throws Exception
    {
        assertEquals(0, cli.run("completion"));
        final Path script = dir.resolve("gatehouse-completion.bash");
        Files.writeString(script, cli.out.toString());
        assertTrue(cli.out.toString().contains("complete -F _complete_gatehouse"), cli.out.toString().lines().limit(5).toList()
            .toString());
        assertEquals("check", complete(script, "gatehouse ch"));
        assertEquals("--config --help --version", complete(script, "gatehouse check --"));
        assertTrue(complete(script, "gatehouse loadgen s").contains("serve"), complete(script, "gatehouse loadgen s"));
    }

    /** What bash offers for {@code line} (last word being completed), sorted; compopt only works inside a real completion, so it is stubbed. */
    private static String complete(final Path script, final String line) throws Exception
    {
        final String words = line.endsWith(" ") ? line + "''" : line;
        final String program = "source '" + script + "'\ncompopt() { :; }\nCOMP_LINE='" + line + "'\nCOMP_POINT=${#COMP_LINE}\n"
            + "COMP_WORDS=(" + words + ")\nCOMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n_complete_gatehouse\n"
            + "printf '%s\\n' \"${COMPREPLY[@]}\" | sort | tr '\\n' ' '\n";
        final Process bash = new ProcessBuilder("bash", "--norc", "--noprofile", "-c", program).redirectErrorStream(true).start();
        final String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(bash.waitFor(20, TimeUnit.SECONDS));
        return output.replaceAll("\\s+", " ");
    }

    @Test
    void shouldListEveryCommandWithAWholeSentence()
    {
        final List<String> cut = new ArrayList<>();
        walk(Gatehouse.commandLine(), cut);
        assertEquals(List.of(), cut, "the first description line is what the parent's command list shows");
        assertEquals(0, cli.run("--help"));
        assertTrue(cli.out.toString().contains("completion"), cli.out.toString());
    }

    private static void walk(final CommandLine command, final List<String> cut)
    {
        final String[] description = command.getCommandSpec().usageMessage().description();
        final String first = description.length == 0 ? "" : description[0].strip();
        if (!first.endsWith(".") && !command.getCommandName().equals("help"))
        {
            cut.add(command.getCommandSpec().qualifiedName() + ": '" + first + "'");
        }
        command.getSubcommands().values().forEach(sub -> walk(sub, cut));
    }
}
