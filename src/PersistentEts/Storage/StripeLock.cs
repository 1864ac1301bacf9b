using System.Runtime.InteropServices;

namespace PersistentEts.Storage;

/// <summary>
/// A lock object padded to 128 bytes. A monitor's lock word lives in its object's header, and lock objects
/// allocated one after another would share cache lines, so two threads taking different stripes would
/// still fight over one line (false sharing).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal sealed class StripeLock
{
#pragma warning disable CS0169, IDE0051 // padding only: never read or written
    private readonly long _p0, _p1, _p2, _p3, _p4, _p5, _p6, _p7, _p8, _p9, _p10, _p11, _p12, _p13;
#pragma warning restore CS0169, IDE0051
}
