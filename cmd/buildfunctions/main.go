// Command buildfunctions builds every Lambda function reproducibly (see package
// internal/functionbuild): <out>/<name>/bootstrap and <out>/<name>.zip.
//
//	go run ./cmd/buildfunctions -out build
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"

	"github.com/example/private-api/internal/functionbuild"
)

func main() {
	out := flag.String("out", "build", "directory to write <name>/bootstrap and <name>.zip into")
	flag.Parse()
	log.SetFlags(0)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	root, err := functionbuild.ModuleRoot(".")
	if err != nil {
		log.Fatal(err)
	}
	arts, err := functionbuild.BuildAll(ctx, root, *out)
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range arts {
		info, err := os.Stat(a.Bootstrap)
		if err != nil {
			log.Fatal(err)
		}
		sum, err := functionbuild.SHA256File(a.Bootstrap)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-10s %s  %9d bytes  sha256 %s\n           %s  codeSha256 %s\n", a.Name, a.Bootstrap, info.Size(), sum, a.Zip, a.ZipSHA256)
	}
}
