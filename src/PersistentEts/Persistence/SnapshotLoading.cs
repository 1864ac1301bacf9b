using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using PersistentEts.Persistence.Format;
using PersistentEts.Tables;

namespace PersistentEts.Persistence;

/// <summary>
/// Fills a table nobody sees yet from a snapshot, on every core: the calling thread reads and checks the
/// blocks in file order, worker threads decode them in parallel. A set's keys are unique within a
/// snapshot, so its workers also insert what they decoded, in any order. Where order matters (a bag keeps
/// its objects' order; an ordered_set is filled in key order), one more thread inserts the decoded blocks
/// in file order.
/// </summary>
/// <remarks>
/// At most <see cref="_inFlight"/> blocks are read but not yet inserted, which bounds what a load adds to
/// memory to a few blocks whatever the file's size. A worker takes a slot before it takes the next block,
/// and blocks are taken in file order, so the block the in-order inserter waits for is always held by a
/// worker with a slot, never waiting for one.
/// </remarks>
internal sealed class SnapshotLoading<TKey, TObject> where TKey : notnull
{
    private readonly SnapshotReader _reader;
    private readonly TableCore<TKey, TObject> _core;
    private readonly IObjectCodec<TObject> _codec;
    private readonly string _path;
    private readonly bool _inOrder;
    private readonly int _inFlight;
    private readonly BlockingCollection<(long Number, SnapshotReader.RawBlock Block)> _blocks;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _cancel = new();

    // Decoded blocks waiting for the in-order inserter, by number; with _decodersRunning, under _decodedLock.
    private readonly Dictionary<long, List<TObject>> _decoded = [];
    private readonly object _decodedLock = new();
    private int _decodersRunning;

    private ExceptionDispatchInfo? _failure; // the first failure; under _decodedLock

    private SnapshotLoading(SnapshotReader reader, TableCore<TKey, TObject> core, IObjectCodec<TObject> codec, string path, int workers)
    {
        _reader = reader;
        _core = core;
        _codec = codec;
        _path = path;
        _inOrder = core.Type != TableType.Set;
        _inFlight = 2 * workers;
        _blocks = new BlockingCollection<(long, SnapshotReader.RawBlock)>(_inFlight);
        _slots = new SemaphoreSlim(_inFlight);
        _decodersRunning = workers;
    }

    /// <summary>Loads every object of <paramref name="reader"/>'s blocks into <paramref name="core"/>; the header has been read.</summary>
    public static void Run(SnapshotReader reader, TableCore<TKey, TObject> core, IObjectCodec<TObject> codec, bool verify, string path)
    {
        var workers = codec.IsThreadSafe ? Format.BlockEncoder<TObject>.DefaultWorkers : 1;
        var loading = new SnapshotLoading<TKey, TObject>(reader, core, codec, path, workers);
        loading.Load(verify);
    }

    private void Load(bool verify)
    {
        var tasks = new List<Task>();
        for (var i = 0; i < _decodersRunning; i++) tasks.Add(Start(Decode));
        if (_inOrder) tasks.Add(Start(InsertInOrder));
        try
        {
            long number = 0;
            _reader.ReadBlocks(verify, block =>
            {
                try
                {
                    _blocks.Add((number++, block), _cancel.Token);
                }
                catch
                {
                    block.Release();
                    throw;
                }
            });
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            // A worker failed; its failure is the one reported.
        }
        catch (Exception e)
        {
            Fail(e);
        }
        finally
        {
            _blocks.CompleteAdding();
            Task.WaitAll([.. tasks]);
            foreach (var (_, block) in _blocks) block.Release();
            _blocks.Dispose();
            _slots.Dispose();
            _cancel.Dispose();
        }
        _failure?.Throw();
    }

    private static Task Start(Action work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Fail(Exception e)
    {
        lock (_decodedLock)
        {
            _failure ??= ExceptionDispatchInfo.Capture(e);
            Monitor.PulseAll(_decodedLock);
        }
        _cancel.Cancel();
    }

    private void Decode()
    {
        // A set's worker decodes each block into this list, reused from block to block.
        var mine = new List<TObject>();
        try
        {
            while (true)
            {
                _slots.Wait(_cancel.Token);
                if (!_blocks.TryTake(out var item, Timeout.Infinite, _cancel.Token)) return;
                var (number, block) = item;
                try
                {
                    if (_inOrder)
                    {
                        var objects = new List<TObject>(block.Count);
                        _reader.DecodeBlock(_codec, block, objects.Add);
                        lock (_decodedLock)
                        {
                            _decoded.Add(number, objects);
                            Monitor.PulseAll(_decodedLock);
                        }
                    }
                    else
                    {
                        // Decoded whole, then inserted: a block's objects sit in a few runs of buckets.
                        mine.Clear();
                        _reader.DecodeBlock(_codec, block, mine.Add);
                        Insert(CollectionsMarshal.AsSpan(mine));
                        mine.Clear();
                        _slots.Release();
                    }
                }
                finally
                {
                    block.Release();
                }
            }
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            // Another thread failed; its failure is the one reported.
        }
        catch (Exception e)
        {
            Fail(e);
        }
        finally
        {
            lock (_decodedLock)
            {
                _decodersRunning--;
                Monitor.PulseAll(_decodedLock);
            }
        }
    }

    private void InsertInOrder()
    {
        try
        {
            for (long next = 0; TakeDecoded(next, out var objects); next++)
            {
                Insert(CollectionsMarshal.AsSpan(objects));
                _slots.Release();
            }
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    private bool TakeDecoded(long number, out List<TObject> objects)
    {
        lock (_decodedLock)
        {
            while (true)
            {
                if (_failure is not null)
                {
                    objects = [];
                    return false;
                }
                if (_decoded.Remove(number, out objects!)) return true;
                if (_decodersRunning == 0) return false;
                Monitor.Wait(_decodedLock);
            }
        }
    }

    private void Insert(ReadOnlySpan<TObject> objects)
    {
        try
        {
            _core.RestoreObjects(objects);
        }
        catch (EtsArgumentException e)
        {
            throw new SnapshotFileException(_path, $"an object cannot be stored: {e.Message}", null, e);
        }
    }
}
