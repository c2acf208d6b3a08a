package io.gatehouse.router.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "check", mixinStandardHelpOptions = true, description = "(lands with its issue)")
public final class CheckCommand implements Callable<Integer>
{
    @Override
    public Integer call()
    {
        System.err.println("gatehouse check: not built yet");
        return 1;
    }
}
