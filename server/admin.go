package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// adminCreate creates a site admin, reading the password as one line from in.
func adminCreate(ctx context.Context, args []string, in io.Reader, out io.Writer) error {
	var email, name string
	_, a, err := setup(ctx, "admin create", args, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the admin's email (required)")
		fs.StringVar(&name, "name", "", "the admin's name (required)")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	if email == "" || name == "" {
		return errors.New("--email and --name are required")
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return errors.New("give the password as one line on standard input, e.g. echo 'long-password' | server admin create --email E --name N")
	}
	password := strings.TrimRight(line, "\r\n")
	u, err := a.svc.CreateAdmin(ctx, email, name, password)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(out, "created admin %s <%s> (id %d)\n", u.Name, u.Email, u.ID)
	return nil
}
