"""CLI commands that live in their own modules. Each module decorates functions with
`@app.command()` (app from `screening.cli`); `screening.cli` imports every name in its
`COMMAND_MODULES`. Keep them thin: arguments → library call → rendering → exit code."""
