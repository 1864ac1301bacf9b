using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PersistentEts.Persistence;
using PersistentEts.Persistence.IO;
using PersistentEts.Persistence.Remote;

namespace PersistentEts;

/// <summary>
/// A read-only copy of a remote table on another machine (<see cref="PersistentTable.Follow{TKey, TObject}"/>):
/// loaded from the newest snapshot in the store, then kept up by reading the owner's log from the store
/// and applying its records in order. It never writes to the store and never takes the owner's lease.
/// </summary>
/// <remarks>
/// <para>
/// <b>What it shows.</b> Whole records in log order, so always a prefix of the owner's history: never a
/// state the owner did not have, a multi-key write all or nothing. It never goes back: when the log it
/// needs was retired behind a newer snapshot, it loads that snapshot and the log after it in the
/// background and shows the result only once it has caught up.
/// </para>
/// <para>
/// <b>Reading your own writes.</b> After a write on the owner returns, the owner's
/// <see cref="TablePersistence.LogPosition"/> is at or past its record; <see cref="WaitForPosition"/> on a
/// follower returns once the follower shows it.
/// </para>
/// <para>
/// <b>Promotion.</b> When the owner is gone, <see cref="Promote"/> makes this machine the owner: it takes
/// the lease (fencing the old owner out), and opens the table from the store, the whole log included.
/// </para>
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TObject">The stored object type.</typeparam>
public sealed partial class FollowerTable<TKey, TObject> : IReadOnlyEtsTable<TKey, TObject>, IFollowerTable, IDisposable, IAsyncDisposable where TKey : notnull
{
    private readonly FollowerSource<TKey, TObject> _source;
    private readonly ILogger _log;
    // Cancels the poll loop; replaced when a failed promotion restarts it.
    private CancellationTokenSource _stop = new();

    // The load being kept up: used only by the poll loop (and by Promote once the loop has stopped).
    private FollowerTail<TKey, TObject> _tail;
    private Task? _loop;

    // What readers see: the tail's table, replaced whole by a reload once the newer one has caught up, or
    // the owner's table once promoted. Written by the poll loop and Promote only.
    private volatile EtsTable<TKey, TObject> _shown;

    // Tables this follower showed before a reload or a promotion replaced them, by core, for the select
    // continuations taken on them: a paged select goes on in the table its first page came from. Weak: an
    // entry goes once no continuation holds its core.
    private readonly ConditionalWeakTable<object, EtsTable<TKey, TObject>> _replaced = new();

    // The published state, under _gate, which waiters wait on: the position the shown table has reached and
    // what the status reports. Changed only by Publish (the poll loop) and Promote.
    private readonly object _gate = new();
    private LogPosition _position;
    private long _appliedBefore; // records applied by loads that were replaced
    private long _applied;
    private DateTimeOffset? _caughtUpAt;
    private int _loads;
    private Exception? _lastError;
    private PersistentEtsTable<TKey, TObject>? _promoted;
    private bool _disposed;
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FollowerTable(FollowerSource<TKey, TObject> source, FollowerTail<TKey, TObject> tail, DateTimeOffset caughtUpAt, int loads)
    {
        _source = source;
        _log = source.Options.Logger ?? NullLogger.Instance;
        _tail = tail;
        _shown = tail.Table;
        _position = tail.Position;
        _applied = tail.AppliedRecords;
        _caughtUpAt = caughtUpAt;
        _loads = loads;
    }

    /// <summary>Loads the table, catches up with the log, and starts following it.</summary>
    internal static FollowerTable<TKey, TObject> Open(FollowerSource<TKey, TObject> source)
    {
        var loads = 0;
        while (true)
        {
            var tail = SyncOrAsync.Block(FollowerTail<TKey, TObject>.LoadAsync(source, CancellationToken.None));
            loads++;
            if (SyncOrAsync.Block(tail.PollAsync(null, CancellationToken.None)) == FollowerTail<TKey, TObject>.Outcome.Retired) continue;
            var follower = new FollowerTable<TKey, TObject>(source, tail, tail.ListedAt, loads);
            PersistenceMetrics.FollowerOpened(follower, source.Name, () => follower.Status.Lag);
            PersistenceMetrics.FollowerApplied(source.Name, tail.AppliedRecords, loads);
            follower._loop = Task.Run(follower.RunAsync);
            return follower;
        }
    }

    /// <summary>The table readers see now.</summary>
    private EtsTable<TKey, TObject> Shown => _shown;

    /// <summary>The options this follower was opened with.</summary>
    public FollowerOptions Options => _source.Follower;

    /// <summary>Where the follower stands, read at one moment.</summary>
    public FollowerStatus Status
    {
        get
        {
            lock (_gate)
            {
                var lag = _caughtUpAt is { } at ? DateTimeOffset.UtcNow - at : TimeSpan.MaxValue;
                if (_promoted is not null) lag = TimeSpan.Zero;
                return new FollowerStatus(_position, _appliedBefore + _applied, _tail.Generation, _caughtUpAt, lag < TimeSpan.Zero ? TimeSpan.Zero : lag,
                    _promoted is null ? _tail.RecordsBehind : 0, _loads, _lastError, _promoted is not null);
            }
        }
    }

    /// <summary>The log position the follower shows every record before (see <see cref="FollowerStatus.Position"/>).</summary>
    public LogPosition Position
    {
        get
        {
            lock (_gate) return _position;
        }
    }

    /// <summary>
    /// Raised on the follower's poll loop after each step that applied changes, once they are visible and
    /// before <see cref="WaitForPosition"/> callers waiting for them wake. Keep handlers short: the next step
    /// waits for them. A handler that throws is logged and does not stop the follower.
    /// </summary>
    public event EventHandler<FollowerAppliedEventArgs<TObject>>? Applied;

    /// <summary>
    /// Waits until the follower shows every record before <paramref name="position"/> (e.g. the owner's
    /// <see cref="TablePersistence.LogPosition"/> read after a write returned). Returns false when
    /// <paramref name="timeout"/> passes first. A promoted follower holds every record.
    /// </summary>
    public bool WaitForPosition(LogPosition position, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_gate)
        {
            while (!Reached(position))
            {
                if (_disposed) Throw.Destroyed(Name);
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_gate, left)) return Reached(position);
            }
            return true;
        }
    }

    /// <summary>As <see cref="WaitForPosition"/>, without blocking a thread; cancelled through <paramref name="cancellationToken"/>.</summary>
    public async Task WaitForPositionAsync(LogPosition position, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task progress;
            lock (_gate)
            {
                if (Reached(position)) return;
                if (_disposed) Throw.Destroyed(Name);
                progress = _progress.Task;
            }
            await progress.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private bool Reached(LogPosition position) => _promoted is not null || _position >= position;

    /// <summary>
    /// Makes this machine the table's owner once the old owner's lease is gone (it lapsed, or the owner
    /// released it): stops following, then opens the table at <paramref name="path"/> as
    /// <see cref="PersistentTable.New{TKey, TObject}"/> does with the follower's options. Opening takes the
    /// lease, takes the log away from the old owner (fencing), and loads the newest snapshot and the whole
    /// log after it: everything the follower showed and every record it had not applied yet, so with remote
    /// <see cref="LogSync.Always"/> no acknowledged write is lost. From then on the follower's reads answer
    /// from the returned owner's table. Throws <see cref="RemoteTableOwnedException"/> while the owner's
    /// lease is live; the follower then goes on following.
    /// </summary>
    public PersistentEtsTable<TKey, TObject> Promote(string path, CancellationToken ownerLifetime = default)
    {
        StopLoop();
        lock (_gate)
        {
            if (_disposed) Throw.Destroyed(Name);
            if (_promoted is not null) Throw.Argument(nameof(path), $"Follower of table '{Name}' was already promoted (its table is at '{_promoted.Persistence.Path}').");
        }
        PersistentEtsTable<TKey, TObject> owner;
        try
        {
            owner = PersistentTable.Open(_source.Name, path, _source.KeyOf, _source.KeyText, _source.Options, _source.Codec,
                _source.KeyComparer, _source.KeyEquality, ownerLifetime, PhysicalFileSystem.Instance);
        }
        catch
        {
            _stop = new CancellationTokenSource();
            _loop = Task.Run(RunAsync);
            throw;
        }
        // The followed table is dropped, not destroyed: a reader that took it just before still gets its answer.
        var followed = _shown;
        _replaced.AddOrUpdate(followed.Core, followed);
        _shown = owner;
        lock (_gate)
        {
            _promoted = owner;
            _lastError = null;
            Signal();
        }
        _log.LogInformation("Follower of table {Table} was promoted to owner of {Path} at log position {Position}", Name, path, Position);
        return owner;
    }

    /// <summary>Polls the store until stopped: apply what is new, publish it, wait, again.</summary>
    private async Task RunAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var changes = Applied is null ? null : new List<FollowerChange<TObject>>();
                var outcome = await _tail.PollAsync(changes, token).ConfigureAwait(false);
                if (outcome == FollowerTail<TKey, TObject>.Outcome.Retired) await ReloadAsync(changes, token).ConfigureAwait(false);
                // Raised before waiters are woken: once WaitForPosition returns, the handlers have seen the changes before it.
                if (changes is { Count: > 0 }) Raise(changes, _tail.Position);
                Publish(_tail.ListedAt);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Kept and logged, never lost: the follower goes on showing what it had and tries again.
                lock (_gate) _lastError = e;
                _log.LogWarning(e, "Follower of table {Table} could not read {Store}; it tries again", Name, _source.Store.Name);
            }
            try
            {
                await Task.Delay(_source.Follower.PollInterval, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// The log this follower needed was retired: loads the newer snapshot and catches it up in the
    /// background, then shows it in place of the old table. It is at or past what the old one showed, since
    /// a segment is retired only once a snapshot holds it.
    /// </summary>
    private async Task ReloadAsync(List<FollowerChange<TObject>>? changes, CancellationToken token)
    {
        FollowerTail<TKey, TObject> next;
        do
        {
            next = await FollowerTail<TKey, TObject>.LoadAsync(_source, token).ConfigureAwait(false);
            lock (_gate) _loads++;
            PersistenceMetrics.FollowerApplied(Name, 0, 1);
        }
        while (await next.PollAsync(null, token).ConfigureAwait(false) == FollowerTail<TKey, TObject>.Outcome.Retired);
        var old = _tail;
        _replaced.AddOrUpdate(old.Table.Core, old.Table);
        _tail = next;
        _shown = next.Table;
        lock (_gate)
        {
            _appliedBefore += old.AppliedRecords;
            _applied = 0;
        }
        changes?.Add(new FollowerChange<TObject>(FollowerChangeKind.Reload, []));
        _log.LogInformation("Follower of table {Table} reloaded snapshot generation {Generation}: the log it was reading was retired", Name, next.Generation);
    }

    /// <summary>Makes the tail's progress visible to <see cref="Status"/> and waiters.</summary>
    private void Publish(DateTimeOffset caughtUpAt)
    {
        long newly;
        lock (_gate)
        {
            newly = _tail.AppliedRecords - _applied;
            _position = _tail.Position;
            _applied = _tail.AppliedRecords;
            _caughtUpAt = caughtUpAt;
            _lastError = null;
            Signal();
        }
        if (newly > 0) PersistenceMetrics.FollowerApplied(Name, newly, 0);
    }

    /// <summary>Wakes every waiter; the caller holds <see cref="_gate"/>.</summary>
    private void Signal()
    {
        Monitor.PulseAll(_gate);
        var done = _progress;
        _progress = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.TrySetResult();
    }

    private void Raise(List<FollowerChange<TObject>> changes, LogPosition position)
    {
        try
        {
            Applied?.Invoke(this, new FollowerAppliedEventArgs<TObject>(position, changes));
        }
        catch (Exception e)
        {
            _log.LogError(e, "A handler of follower {Table}'s Applied event threw; the follower goes on", Name);
        }
    }

    private void StopLoop()
    {
        _stop.Cancel();
        try
        {
            _loop?.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    /// <summary>
    /// Stops following. The follower's own table goes (reads throw <see cref="TableDestroyedException"/>);
    /// a promoted owner's table stays, owned by whoever holds the handle <see cref="Promote"/> returned.
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            Signal();
        }
        _stop.Cancel();
        try
        {
            _loop?.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        PersistenceMetrics.FollowerClosed(this);
        if (_promoted is null) _shown.Core.MarkDestroyed();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
