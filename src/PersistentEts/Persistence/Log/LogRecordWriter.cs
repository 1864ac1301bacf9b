using System.Buffers;
using System.Buffers.Binary;

namespace PersistentEts.Persistence.Log;

/// <summary>Encodes log record payloads: an opcode, then objects in the table's codec.</summary>
internal static class LogRecordWriter
{
    public static void Put<TObject>(ArrayBufferWriter<byte> payload, IObjectCodec<TObject> codec, ReadOnlySpan<TObject> objects)
    {
        payload.GetSpan(1)[0] = LogFormat.Put;
        payload.Advance(1);
        BinaryPrimitives.WriteInt32LittleEndian(payload.GetSpan(4), objects.Length);
        payload.Advance(4);
        foreach (var o in objects) codec.Write(payload, o);
    }

    public static void Remove<TObject>(ArrayBufferWriter<byte> payload, IObjectCodec<TObject> codec, TObject anyObjectOfKey)
    {
        payload.GetSpan(1)[0] = LogFormat.Remove;
        payload.Advance(1);
        codec.Write(payload, anyObjectOfKey);
    }

    public static void Clear(ArrayBufferWriter<byte> payload)
    {
        payload.GetSpan(1)[0] = LogFormat.Clear;
        payload.Advance(1);
    }

    /// <summary>Wraps sub-records (each length-prefixed) as one batch payload.</summary>
    public static void Batch(ArrayBufferWriter<byte> payload, int count, ReadOnlySpan<byte> subRecords)
    {
        payload.GetSpan(1)[0] = LogFormat.Batch;
        payload.Advance(1);
        BinaryPrimitives.WriteInt32LittleEndian(payload.GetSpan(4), count);
        payload.Advance(4);
        payload.Write(subRecords);
    }
}
