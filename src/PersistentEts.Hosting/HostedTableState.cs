namespace PersistentEts.Hosting;

/// <summary>Where a hosted table is in its life.</summary>
public enum HostedTableState
{
    /// <summary>Registered; the host has not opened it yet.</summary>
    NotOpened,

    /// <summary>Being opened: its file is being loaded.</summary>
    Loading,

    /// <summary>Loaded and in use.</summary>
    Open,

    /// <summary>Opening it failed (see the health check's exception).</summary>
    Failed,

    /// <summary>Saved and closed as the host stopped.</summary>
    Closed,
}
