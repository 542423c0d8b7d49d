package machine

import "sync/atomic"

// maps counts the codes mapped.
var maps atomic.Int64

// MaxMaps is the most codes mapped at once. Each is a mapping of its own,
// and a process has a limit on its mappings (vm.max_map_count, 65530 by
// default) that the Go heap needs too; beyond this many, Map fails and
// callers run their programs another way.
const MaxMaps = 1 << 12
