package io.gatehouse.router.config;

/**
 * A config that cannot be used. The message is one line, {@code FILE:LINE:COLUMN: what is wrong}
 * (or {@code FILE: what is wrong} when no position applies, such as an unreadable file), ready to print
 * as is.
 */
public final class ConfigException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;
    private final int column;
    private final String problem;

    public ConfigException(final String file, final int line, final int column, final String problem)
    {
        super(line > 0 ? file + ":" + line + ":" + column + ": " + problem : file + ": " + problem);
        this.file = file;
        this.line = line;
        this.column = column;
        this.problem = problem;
    }

    /** The file name as given to the loader. */
    public String file()
    {
        return file;
    }

    /** 1-based, or 0 when the error is about the whole file. */
    public int line()
    {
        return line;
    }

    /** 1-based, or 0 when the error is about the whole file. */
    public int column()
    {
        return column;
    }

    /** The message without the position prefix. */
    public String problem()
    {
        return problem;
    }
}
