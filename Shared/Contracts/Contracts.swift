/// The generated Swift API of Protos/.
public enum ContractsModule {}
