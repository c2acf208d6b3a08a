package io.gatehouse.router.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "stat", mixinStandardHelpOptions = true, description = "(lands with its issue)")
public final class StatCommand implements Callable<Integer>
{
    @Override
    public Integer call()
    {
        System.err.println("gatehouse stat: not built yet");
        return 1;
    }
}
