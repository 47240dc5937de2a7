enum StorageProtocolPlaceholder {}
