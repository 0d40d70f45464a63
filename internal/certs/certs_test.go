package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLoadOrCreatePersists(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "tls")
	cert1, fp1, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatalf("first LoadOrCreate: %v", err)
	}
	cert2, fp2, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatalf("second LoadOrCreate: %v", err)
	}
	if fp1 != fp2 {
		t.Fatalf("fingerprint changed across loads: %s then %s", fp1, fp2)
	}
	if len(fp1) != 64 || strings.ToLower(fp1) != fp1 {
		t.Fatalf("fingerprint %q is not 64 lower-case hex characters", fp1)
	}
	sum := sha256.Sum256(cert1.Certificate[0])
	if want := hex.EncodeToString(sum[:]); fp1 != want {
		t.Fatalf("fingerprint %s is not the SHA-256 of the DER certificate (%s)", fp1, want)
	}
	if string(cert1.Certificate[0]) != string(cert2.Certificate[0]) {
		t.Fatal("certificate changed across loads")
	}

	leaf, err := x509.ParseCertificate(cert1.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	pub, ok := leaf.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		t.Fatalf("public key %T is not ECDSA P-256", leaf.PublicKey)
	}
	if life := leaf.NotAfter.Sub(time.Now()); life < 9*365*24*time.Hour {
		t.Fatalf("certificate expires in %v, want about ten years", life)
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 2 {
		t.Fatalf("directory holds %v, want only %s and %s (no temporary files)", names, CertFile, KeyFile)
	}

	if runtime.GOOS == "windows" {
		return // POSIX modes do not apply
	}
	tests := []struct {
		name string
		path string
		want os.FileMode
	}{
		{"directory", dir, 0o700},
		{"key", filepath.Join(dir, KeyFile), 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := os.Stat(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Mode().Perm(); got != tt.want {
				t.Fatalf("mode %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLoadOrCreateRefusesDamage(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, dir string)
		want   string
	}{
		{"corrupt certificate", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, CertFile), "not a certificate")
		}, "load certificate"},
		{"corrupt key", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, KeyFile), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
		}, "load certificate"},
		{"key of another pair", func(t *testing.T, dir string) {
			other := t.TempDir()
			if _, _, err := LoadOrCreate(other); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join(other, KeyFile))
			if err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(dir, KeyFile), string(data))
		}, "load certificate"},
		{"key missing", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, KeyFile)); err != nil {
				t.Fatal(err)
			}
		}, "but not"},
		{"certificate missing", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, CertFile)); err != nil {
				t.Fatal(err)
			}
		}, "but not"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, _, err := LoadOrCreate(dir); err != nil {
				t.Fatal(err)
			}
			tt.damage(t, dir)
			before := snapshot(t, dir)
			_, _, err := LoadOrCreate(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("LoadOrCreate = %v, want an error containing %q", err, tt.want)
			}
			if after := snapshot(t, dir); after != before {
				t.Fatalf("LoadOrCreate changed the directory:\nbefore %q\nafter  %q", before, after)
			}
		})
	}
}

func TestLoadOrCreateConcurrent(t *testing.T) {
	dir := t.TempDir()
	const n = 4
	fps := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, fps[i], errs[i] = LoadOrCreate(dir) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("creator %d: %v", i, errs[i])
		}
		if fps[i] != fps[0] {
			t.Fatalf("creators disagree: %s vs %s", fps[i], fps[0])
		}
	}
	_, fp, err := LoadOrCreate(dir)
	if err != nil || fp != fps[0] {
		t.Fatalf("reload: %s, %v; want %s", fp, err, fps[0])
	}
}

func TestHandshakePinning(t *testing.T) {
	cert, fp, err := LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, otherFP, err := LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", ServerConfig(cert))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait)
	t.Cleanup(func() { ln.Close() })
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				if c.(*tls.Conn).Handshake() == nil {
					io.WriteString(c, "hello")
				}
			})
		}
	})

	tests := []struct {
		name     string
		pin      string
		mismatch bool
	}{
		{"right fingerprint", fp, false},
		{"right fingerprint upper-case", strings.ToUpper(fp), false},
		{"other certificate", otherFP, true},
		{"empty pin", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &net.Dialer{Timeout: 5 * time.Second}
			conn, err := tls.DialWithDialer(d, "tcp", ln.Addr().String(), ClientConfig(tt.pin))
			if tt.mismatch {
				if err == nil {
					conn.Close()
					t.Fatal("handshake succeeded with the wrong pin")
				}
				if !errors.Is(err, ErrFingerprintMismatch) {
					t.Fatalf("error %v does not wrap ErrFingerprintMismatch", err)
				}
				if tt.pin != "" && (!strings.Contains(err.Error(), tt.pin) || !strings.Contains(err.Error(), fp)) {
					t.Fatalf("error %q does not state expected %s and got %s", err, tt.pin, fp)
				}
				return
			}
			if err != nil {
				t.Fatalf("handshake: %v", err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			got, err := io.ReadAll(conn)
			if err != nil || string(got) != "hello" {
				t.Fatalf("read %q, %v", got, err)
			}
		})
	}
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// snapshot is the names and contents of the files in dir.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(e.Name() + "=" + string(data) + ";")
	}
	return b.String()
}
