package io.gatehouse.router.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "peek", mixinStandardHelpOptions = true, description = "(lands with its issue)")
public final class PeekCommand implements Callable<Integer>
{
    @Override
    public Integer call()
    {
        System.err.println("gatehouse peek: not built yet");
        return 1;
    }
}
