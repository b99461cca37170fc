/// The partition log: segmented, memory-mapped, crash-safe storage. See PartitionLog.
public enum FerryLogModule {}
