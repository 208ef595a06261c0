package infra

// projectRoot holds the stack files; the readers of a mock run are in internal/mockengine/spec.
const projectRoot = ".."

// commercial is the partition aws.GetPartition answers in the commercial regions.
var commercial = Partition{ID: "aws", DNSSuffix: "amazonaws.com", ReverseDNSPrefix: "com.amazonaws"}
