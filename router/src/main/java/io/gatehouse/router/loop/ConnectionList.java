package io.gatehouse.router.loop;

/**
 * An intrusive doubly-linked list of {@link TimedConnection}s owned by one event loop. Not thread-safe;
 * event loop thread only; allocation-free. A node may unlink itself (or be unlinked) from inside
 * {@link #tick}.
 */
public final class ConnectionList
{
    private TimedConnection head;
    private TimedConnection cursor;
    private int size;

    public void add(final TimedConnection node)
    {
        if (node.list != null)
        {
            return;
        }
        node.list = this;
        node.previous = null;
        node.next = head;
        if (head != null)
        {
            head.previous = node;
        }
        head = node;
        size++;
    }

    public void remove(final TimedConnection node)
    {
        if (node.list != this)
        {
            return;
        }
        if (cursor == node)
        {
            cursor = node.next;
        }
        if (node.previous != null)
        {
            node.previous.next = node.next;
        }
        else
        {
            head = node.next;
        }
        if (node.next != null)
        {
            node.next.previous = node.previous;
        }
        node.previous = null;
        node.next = null;
        node.list = null;
        size--;
    }

    public int size()
    {
        return size;
    }

    /** Visits every node; nodes may unlink themselves while visited. */
    public void tick(final long nowNs)
    {
        cursor = head;
        while (cursor != null)
        {
            final TimedConnection node = cursor;
            cursor = node.next;
            node.onTick(nowNs);
        }
    }

    /** Visits every node with {@code visitor}; nodes may unlink themselves while visited. */
    public void visit(final java.util.function.Consumer<? super TimedConnection> visitor)
    {
        cursor = head;
        while (cursor != null)
        {
            final TimedConnection node = cursor;
            cursor = node.next;
            visitor.accept(node);
        }
    }

    /** Closes every node. */
    public void closeAll()
    {
        cursor = head;
        while (cursor != null)
        {
            final TimedConnection node = cursor;
            cursor = node.next;
            node.onForcedClose();
        }
    }
}
