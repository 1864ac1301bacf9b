namespace PersistentEts.Tables;

/// <summary>The type-erased view of a table that the name registry keeps.</summary>
internal interface ITableRegistration
{
    long Id { get; }

    string Name { get; }

    bool IsDestroyed { get; }

    Type KeyType { get; }

    Type ObjectType { get; }

    TableInfo Info();
}
