// Command private-api is the Pulumi program: it loads and validates the stack config, builds the
// private API stack (compiling each function's bootstrap first) and exports its outputs.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/private-api/stack"
)

func main() {
	pulumi.Run(stack.Program(stack.BuiltArtifacts{ModuleRoot: ".", OutDir: "build"}))
}
