/// A JSON scanner that validates and compacts JSON text without converting numbers, and a direct UTF-8 writer.
public enum FerryJSONModule {}
