package infra

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoLiteralPartitionInInfra keeps every ARN and AWS host name going through Partition: a literal
// arn:aws: or amazonaws.com elsewhere in infra would be wrong in aws-cn or aws-us-gov.
func TestNoLiteralPartitionInInfra(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	// The composition above the components builds names and ARNs the same way.
	composition, err := filepath.Glob("../stack/*.go")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, composition...)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || filepath.Base(f) == "partition.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			for _, literal := range []string{"arn:aws:", "amazonaws.com", "com.amazonaws"} {
				if strings.Contains(line, literal) {
					t.Errorf("%s:%d holds %q: build it with Partition (partition.go)", f, i+1, literal)
				}
			}
		}
	}
}
