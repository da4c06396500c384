from sheets_sync.cli import main

if __name__ == "__main__":  # the PDF helper process (spawn) must not run the CLI again
    raise SystemExit(main())
