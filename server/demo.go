package main

import (
	"context"
	"fmt"
	"io"
)

func demo(ctx context.Context, args []string, out io.Writer) error {
	cfg, a, err := setup(ctx, "demo", args, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	accounts, err := loadDemo(ctx, a.svc)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintln(out, "Demo loaded. Accounts (email / password):")
	for _, acc := range accounts {
		fmt.Fprintf(out, "  %-34s %-18s %s\n", acc.Email, acc.Password, acc.What)
	}
	return demoMail(ctx, a, out, cfg.BaseURL)
}
