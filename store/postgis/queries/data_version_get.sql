SELECT version FROM data_version
