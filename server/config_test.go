package main

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// Two good values of each kind of setting, as the setting prints them, neither a default.
var samples = map[string][2]string{
	"text":          {"alpha", "beta"},
	"port":          {"8080", "9090"},
	"positive":      {"7", "11"},
	"duration":      {"3s", "1m0s"},
	"level":         {"debug", "error"},
	"web address":   {"https://a.example.org", "http://b.example.org:8080"},
	"redis address": {"redis://127.0.0.1:6379/1", "rediss://cache.example.org:6380/2"},
	"addresses":     {"10.0.0.0/8", "192.0.2.1,2001:db8::1"},
	"smtp address":  {"smtp://mailer:secret@mail.example.org:587", "smtps://mail.example.org"},
	"mail address":  {"council@example.org", "Съвети <council@perushtitsa.bg>"},
}

// Values each kind of setting refuses. Text takes anything.
var badValues = map[string][]string{
	"text":          nil,
	"port":          {"abc", "-1", "70000", "80.5"},
	"positive":      {"many", "0", "-1", "1.5"},
	"duration":      {"10", "-1s", "0s", "soon"},
	"level":         {"loud", "verbose"},
	"web address":   {"council.example.org", "ftp://council.example.org", "https://"},
	"redis address": {"http://cache:6379", "cache:6379"},
	"addresses":     {"proxy.local", "10.0.0.1/33", "127.0.0.1,localhost"},
	"smtp address":  {"mail.example.org:25", "http://mail.example.org", "smtp://", "smtp://host:99999"},
	"mail address":  {"council", "@example.org", "a@b@c"},
}

// clearSettings unsets every setting's variable for the test (empty counts as not set), so
// that the environment the tests run in plays no part.
func clearSettings(t *testing.T) {
	for _, s := range (&config{}).settings() {
		t.Setenv(s.Name, "")
	}
}

// valueOf is a setting's value in cfg, as the setting prints it.
func valueOf(cfg config, name string) string {
	for _, s := range cfg.settings() {
		if s.Name == name {
			return s.Value.String()
		}
	}
	return "no such setting"
}

func parse(args ...string) (config, error) {
	return parseConfig(flag.NewFlagSet("serve", flag.ContinueOnError), args)
}

// Every setting of the table is in the usage text, keeps its default when its variable is
// empty, and is set by its variable and by its flag, the flag winning.
func TestEverySettingIsReadFromEnvironmentAndFlag(t *testing.T) {
	clearSettings(t)
	text, seen := usage(), map[string]bool{}
	for _, s := range (&config{}).settings() {
		t.Run(s.Name, func(t *testing.T) {
			if !regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`).MatchString(s.Name) || seen[s.Name] {
				t.Fatalf("not an environment variable's name, or a second line for it")
			}
			seen[s.Name] = true
			if !strings.Contains(text, "  "+s.Name+", --"+s.flag()) || !strings.Contains(text, s.Help) {
				t.Fatalf("not in the usage text:\n%s", text)
			}
			good, ok := samples[s.Value.kind]
			if !ok {
				t.Fatalf("no sample values of kind %q in this test", s.Value.kind)
			}
			cfg, err := parse()
			if err != nil || (s.Default != "" && valueOf(cfg, s.Name) != s.Default) {
				t.Fatalf("empty variable: %q, %v; want the default %q", valueOf(cfg, s.Name), err, s.Default)
			}
			t.Setenv(s.Name, good[0])
			if cfg, err := parse(); err != nil || valueOf(cfg, s.Name) != good[0] {
				t.Fatalf("%s=%s: got %q, %v", s.Name, good[0], valueOf(cfg, s.Name), err)
			}
			if cfg, err := parse("--"+s.flag(), good[1]); err != nil || valueOf(cfg, s.Name) != good[1] {
				t.Fatalf("--%s %s over %s=%s: got %q, %v", s.flag(), good[1], s.Name, good[0], valueOf(cfg, s.Name), err)
			}
			t.Setenv(s.Name, "")
			if cfg, err := parse("--"+s.flag(), good[1]); err != nil || valueOf(cfg, s.Name) != good[1] {
				t.Fatalf("--%s %s: got %q, %v", s.flag(), good[1], valueOf(cfg, s.Name), err)
			}
		})
	}
}

// A value a setting refuses, from its variable or its flag, is an error naming where it came
// from, and what it must be.
func TestBadValuesNameTheSetting(t *testing.T) {
	clearSettings(t)
	for _, s := range (&config{}).settings() {
		bad, ok := badValues[s.Value.kind]
		if !ok {
			t.Fatalf("%s: no bad values of kind %q in this test", s.Name, s.Value.kind)
		}
		for _, v := range bad {
			t.Run(s.Name+"="+v, func(t *testing.T) {
				t.Setenv(s.Name, v)
				if _, err := parse(); err == nil || !strings.HasPrefix(err.Error(), s.Name+" must be") || !strings.Contains(err.Error(), `"`+v+`"`) {
					t.Fatalf("accepted, or an error not naming the variable: %v", err)
				}
				t.Setenv(s.Name, "")
				if _, err := parse("--"+s.flag(), v); err == nil || !strings.HasPrefix(err.Error(), "--"+s.flag()+" must be") {
					t.Fatalf("--%s %s accepted, or an error not naming the flag: %v", s.flag(), v, err)
				}
			})
		}
	}
	// A bad variable does not matter when the flag sets the setting: the flag wins.
	t.Setenv("MAX_CONNECTIONS", "many")
	if cfg, err := parse("--max-connections", "5"); err != nil || cfg.MaxConns != 5 {
		t.Fatalf("--max-connections 5 over MAX_CONNECTIONS=many: %+v, %v", cfg, err)
	}
}

// The README's configuration table is the users' reference: it lists every setting, nothing
// else, with the table's defaults.
func TestReadmeListsEverySetting(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(raw), "\n## Configuration\n")
	if !ok {
		t.Fatal("README.md has no ## Configuration section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	rows := map[string]string{} // variable → default cell
	for line := range strings.SplitSeq(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		rows[strings.Trim(strings.TrimSpace(cells[1]), "`")] = strings.TrimSpace(cells[2])
	}
	for _, s := range (&config{}).settings() {
		def, ok := rows[s.Name]
		switch {
		case !ok:
			t.Errorf("README.md's configuration table lacks %s", s.Name)
		case s.Default != "" && def != "`"+s.Default+"`":
			t.Errorf("README.md gives %s the default %s, the table `%s`", s.Name, def, s.Default)
		}
		delete(rows, s.Name)
	}
	for name := range rows {
		t.Errorf("README.md's configuration table lists %s, which is no setting", name)
	}
}

// runBinary runs the built binary with the extra environment and returns its standard output,
// standard error and exit code.
func runBinary(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), append([]string{"DATABASE_URL=", "REDIS_URL=", "PORT="}, env...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
}

// help, -h and --help print the usage with every setting and succeed; an unknown flag fails
// with the usage; a bad value of each kind stops the program with a message, not a panic.
func TestUsageAndBadSettingsOfTheBinary(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"serve", "--help"}, {"admin", "create", "-h"}} {
		out, errOut, code := runBinary(t, nil, args...)
		if code != 0 || errOut != "" {
			t.Fatalf("%v: exit %d\n%s", args, code, errOut)
		}
		for _, s := range (&config{}).settings() {
			if !strings.Contains(out, s.Name+", --"+s.flag()) {
				t.Fatalf("%v: the usage lacks %s:\n%s", args, s.Name, out)
			}
		}
	}
	if _, errOut, code := runBinary(t, nil, "migrate", "--prot", "3000"); code != 1 || !strings.Contains(errOut, "-prot") || !strings.Contains(errOut, "REQUEST_TIMEOUT, --request-timeout") {
		t.Fatalf("unknown flag: exit %d\n%s", code, errOut)
	}
	tried := map[string]bool{}
	for _, s := range (&config{}).settings() {
		bad := badValues[s.Value.kind]
		if len(bad) == 0 || tried[s.Value.kind] {
			continue
		}
		tried[s.Value.kind] = true
		_, errOut, code := runBinary(t, []string{s.Name + "=" + bad[0]}, "migrate")
		if want := "server: " + s.Name + " must be"; code != 1 || !strings.HasPrefix(errOut, want) || strings.Contains(errOut, "goroutine") {
			t.Errorf("%s=%s: exit %d, want %q\n%s", s.Name, bad[0], code, want, errOut)
		}
	}
}

// A command's own flags are not settings: admin create does not take --email from EMAIL.
func TestCommandFlagsAreNotReadFromEnvironment(t *testing.T) {
	_, errOut, code := runBinary(t, []string{"EMAIL=someone@example.org", "NAME=Someone"}, "admin", "create")
	if code != 1 || !strings.Contains(errOut, "--email and --name are required") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
}
