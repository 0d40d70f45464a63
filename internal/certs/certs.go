// Package certs owns the host's TLS identity: a self-signed certificate kept
// on disk so that its fingerprint (printed in every invite) survives restarts,
// and the client-side pinning that accepts exactly that certificate.
//
// There is no certificate authority in a party: trust comes from the invite,
// which carries the SHA-256 fingerprint of the host certificate. The client
// therefore skips chain and host name verification and instead compares the
// fingerprint of the presented leaf certificate with the pinned one.
package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// File names inside the directory given to LoadOrCreate.
const (
	CertFile = "cert.pem"
	KeyFile  = "key.pem"
)

// Validity of a new certificate. Expiry is not checked by ClientConfig (the
// pin is the trust), but a sane range keeps other TLS tools quiet.
const validity = 10 * 365 * 24 * time.Hour

// ErrFingerprintMismatch is wrapped by the handshake error when the host's
// certificate is not the one the invite pins.
var ErrFingerprintMismatch = errors.New("certificate fingerprint does not match the invite")

// LoadOrCreate returns the certificate kept in dir, creating a new
// self-signed ECDSA P-256 certificate (valid about ten years) when dir holds
// none. dir is created with mode 0700 and the key file with mode 0600.
//
// A pair that exists but cannot be read or does not parse is an error, never
// silently replaced: replacing it would change the fingerprint and break
// every invite already handed out. Only one of the two files present is an
// error too; the message names the files to remove to start afresh.
//
// Two processes creating at once do not clobber each other: files are
// written aside and linked into place without overwriting, and the loser
// loads the winner's pair.
func LoadOrCreate(dir string) (tls.Certificate, string, error) {
	certPath, keyPath := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	certOK, err := exists(certPath)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	keyOK, err := exists(keyPath)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	if keyOK && !certOK {
		// The key is placed first: another process may be creating the
		// pair right now. Give it a moment before calling this damage.
		if certOK, err = waitForCert(certPath); err != nil {
			return tls.Certificate{}, "", err
		}
	}
	switch {
	case certOK && keyOK:
		return load(certPath, keyPath)
	case certOK != keyOK:
		present, missing := certPath, keyPath
		if keyOK {
			present, missing = keyPath, certPath
		}
		return tls.Certificate{}, "", fmt.Errorf("load certificate: found %s but not %s; remove %s to create a new certificate (invites made with the old one stop working)", present, missing, present)
	}
	if err := create(dir, certPath, keyPath); err != nil {
		return tls.Certificate{}, "", err
	}
	return load(certPath, keyPath)
}

func exists(path string) (bool, error) {
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	default:
		return false, fmt.Errorf("check %s: %w", path, err)
	}
}

func load(certPath, keyPath string) (tls.Certificate, string, error) {
	cert, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return tls.Certificate{}, "", fmt.Errorf("load certificate from %s and %s (remove both to create a new one; invites made with the old one stop working): %w", certPath, keyPath, err)
	}
	if len(cert.Certificate) == 0 {
		return tls.Certificate{}, "", fmt.Errorf("load certificate from %s: no certificate", certPath)
	}
	return cert, Fingerprint(cert.Certificate[0]), nil
}

// create writes a new pair. Each file is written to a temporary name and then
// hard-linked to its final name, which fails instead of overwriting when
// another process got there first; in that case we keep theirs.
func create(dir, certPath, keyPath string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create certificate directory: %w", err)
	}
	certPEM, keyPEM, err := generate()
	if err != nil {
		return err
	}
	if err := place(dir, keyPath, keyPEM); err != nil {
		if !errors.Is(err, fs.ErrExist) {
			return err
		}
		// Another process won the race: load its pair.
		ok, err := waitForCert(certPath)
		if err == nil && !ok {
			err = fmt.Errorf("load certificate: %s did not appear after another process created the key", certPath)
		}
		return err
	}
	if err := place(dir, certPath, certPEM); err != nil {
		return err
	}
	return nil
}

// waitForCert gives a concurrent creator up to half a second to link its
// certificate after its key, and reports whether the certificate exists.
func waitForCert(certPath string) (bool, error) {
	for range 25 {
		if ok, err := exists(certPath); err != nil || ok {
			return ok, err
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false, nil
}

// place writes data (mode 0600) to a temporary file in dir and links it to path.
func place(dir, path string, data []byte) error {
	f, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	// CreateTemp already uses 0600; Chmod states it for platforms and umasks alike.
	if err := f.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	err = os.Link(tmp, path)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return wrap(path, err)
	}
	// Some file systems have no hard links: create the final name exclusively
	// instead (a crash mid-write then leaves a file that fails to load, which
	// LoadOrCreate reports rather than overwrites).
	return wrap(path, writeExclusive(path, data))
}

func writeExclusive(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func wrap(path string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("write %s: %w", path, err)
}

func generate() (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("generate serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "Concordia party host", Organization: []string{"Concordia"}},
		NotBefore:             now.Add(-time.Hour), // tolerate clocks slightly behind
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("create certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("encode key: %w", err)
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	return certPEM, keyPEM, nil
}

// Fingerprint is the lower-case hex SHA-256 of a DER certificate, as carried
// in invites.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// ServerConfig is the host's TLS configuration for cert.
func ServerConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
	}
}

// ClientConfig returns a TLS configuration that accepts only a server whose
// leaf certificate has the given fingerprint (compared case-insensitively).
// Chain and host name checks are skipped on purpose: the certificate is
// self-signed and the pin is the trust. A mismatch fails the handshake with
// an error wrapping ErrFingerprintMismatch that states both fingerprints.
func ClientConfig(fingerprint string) *tls.Config {
	want := strings.ToLower(strings.TrimSpace(fingerprint))
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		// InsecureSkipVerify disables only the CA and name checks;
		// VerifyConnection below still runs on every handshake and is the
		// real check.
		InsecureSkipVerify: true, //nolint:gosec // pinned by VerifyConnection
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return fmt.Errorf("%w: the host sent no certificate", ErrFingerprintMismatch)
			}
			got := Fingerprint(cs.PeerCertificates[0].Raw)
			if got != want {
				return fmt.Errorf("%w: expected %s, got %s", ErrFingerprintMismatch, want, got)
			}
			return nil
		},
	}
}
