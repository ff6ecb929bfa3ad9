/// What every service executable shares.
public enum ServiceHostModule {}
