package delta

// Test fixtures and checks of this package, exported to its external tests
// (package delta_test), which import internal/testenv: testenv imports
// delta, so tests that use it cannot live inside the package.
var (
	SilverSchema        = silverSchema
	SilverRows          = silverRows
	AllTypesSchema      = allTypesSchema
	AllTypesRows        = allTypesRows
	Date                = date
	CommitFile          = commitFile
	CheckStatsMatchRows = checkStatsMatchRows
	ReferenceDir        = referenceDir
)
