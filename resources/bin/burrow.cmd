@echo off
rem `burrow` from the installed desktop app (see resources\bin\burrow): the same
rem command, run by Burrow.exe acting as Node.js. Put this folder on PATH.
setlocal
set ELECTRON_RUN_AS_NODE=1
"%~dp0..\..\Burrow.exe" "%~dp0..\app.asar\out\cli\burrow.mjs" %*
exit /b %ERRORLEVEL%
