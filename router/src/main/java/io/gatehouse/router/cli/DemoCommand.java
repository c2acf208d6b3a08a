package io.gatehouse.router.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "demo", mixinStandardHelpOptions = true, description = "(lands with its issue)")
public final class DemoCommand implements Callable<Integer>
{
    @Override
    public Integer call()
    {
        System.err.println("gatehouse demo: not built yet");
        return 1;
    }
}
