package io.gatehouse.loadgen;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "loadgen", mixinStandardHelpOptions = true, description = "Open-loop load generator (lands with its issue)")
public final class LoadgenCommand implements Callable<Integer>
{
    @Override
    public Integer call()
    {
        System.err.println("gatehouse loadgen: not built yet");
        return 1;
    }
}
