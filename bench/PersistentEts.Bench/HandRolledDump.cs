using System.Collections.Concurrent;
using MessagePack;
using MessagePack.Resolvers;

namespace PersistentEts.Bench;

/// <summary>
/// What a .NET user writes by hand instead of this library: a <see cref="ConcurrentDictionary{TKey, TValue}"/>
/// dumped with the same MessagePack contractless encoding — <c>Values.ToArray()</c> serialized to a temporary
/// file, fsynced, renamed over the old one — and loaded by deserializing the array into a pre-sized
/// dictionary. Not point-in-time, no checksums, no log: the baseline our guarantees are measured against.
/// </summary>
internal static class HandRolledDump
{
    private static readonly MessagePackSerializerOptions s_options = ContractlessStandardResolverAllowPrivate.Options;

    public static void Save<T>(ConcurrentDictionary<int, T> dict, string path)
    {
        var temp = path + ".tmp";
        var values = dict.Values.ToArray();
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            MessagePackSerializer.Serialize(file, values, s_options);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    public static ConcurrentDictionary<int, T> Load<T>(string path, Func<T, int> keyOf)
    {
        T[] values;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            values = MessagePackSerializer.Deserialize<T[]>(file, s_options);
        var dict = new ConcurrentDictionary<int, T>(Environment.ProcessorCount, values.Length);
        foreach (var v in values) dict[keyOf(v)] = v;
        return dict;
    }
}
