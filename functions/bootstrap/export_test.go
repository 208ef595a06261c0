package bootstrap

// BuildPackage lets the tests build the cold-start baseline with the deployment flags.
var BuildPackage = buildPackage
