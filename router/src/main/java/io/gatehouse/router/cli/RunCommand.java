package io.gatehouse.router.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "run", mixinStandardHelpOptions = true, description = "(lands with its issue)")
public final class RunCommand implements Callable<Integer>
{
    @Override
    public Integer call()
    {
        System.err.println("gatehouse run: not built yet");
        return 1;
    }
}
