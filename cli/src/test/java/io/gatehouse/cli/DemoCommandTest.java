package io.gatehouse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** The demo, end to end: backends, the router on the embedded config, each load mode through it. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DemoCommandTest
{
    @Test
    void shouldDriveEveryModeThroughTheRouterAndReachOnlyTheRightBackends()
    {
        final CommandLine cli = Gatehouse.commandLine();
        final StringWriter text = new StringWriter();
        cli.setOut(new PrintWriter(text, true));
        final int status = cli.execute("demo", "--duration", "0.5", "--warmup", "1");
        final String table = text.toString();
        assertEquals(0, status, table);
        for (final String row : new String[] {"connect  a.demo.test", "connect  unknown.test", "rr       a.demo.test", "stream   a.demo.test",
            "tls      b.demo.test", "direct to a1", "demo: ok"})
        {
            assertTrue(table.contains(row), row + " missing from\n" + table);
        }
    }
}
