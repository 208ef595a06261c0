package checks

// FixIDs exposes the keys of fixes to the external tests.
func FixIDs() map[string]string { return fixes }
