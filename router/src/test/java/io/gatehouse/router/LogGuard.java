package io.gatehouse.router;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Records every WARNING or worse logged (java.util.logging, which Netty uses here) while installed. */
public final class LogGuard implements AutoCloseable
{
    private final Logger root = Logger.getLogger("");
    private final List<String> records = new ArrayList<>();
    private final Handler handler = new Handler()
    {
        @Override
        public void publish(final LogRecord record)
        {
            if (record.getLevel().intValue() >= Level.WARNING.intValue())
            {
                synchronized (records)
                {
                    records.add(record.getLoggerName() + ": " + record.getMessage()
                        + (record.getThrown() != null ? " " + record.getThrown() : ""));
                }
            }
        }

        @Override
        public void flush()
        {
        }

        @Override
        public void close()
        {
        }
    };

    public LogGuard()
    {
        root.addHandler(handler);
    }

    public List<String> warnings()
    {
        synchronized (records)
        {
            return new ArrayList<>(records);
        }
    }

    @Override
    public void close()
    {
        root.removeHandler(handler);
    }
}
