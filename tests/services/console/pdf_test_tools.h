// Test helpers for the PDF printer: the text of a PDF (Debian's pdftotext, poppler-utils)
// and stand-in "chromium" shell scripts for the printer's error paths. Header-only.
#ifndef GRIDPILOT_TESTS_SERVICES_CONSOLE_PDF_TEST_TOOLS_H_
#define GRIDPILOT_TESTS_SERVICES_CONSOLE_PDF_TEST_TOOLS_H_

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace gridpilot {

// A fresh empty directory under the test's temporary directory.
inline std::string FreshTestDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(tmp != nullptr && *tmp ? tmp : "/tmp") + "/gridpilot-" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// The text pdftotext finds in `pdf`, or "pdftotext failed" text the test then shows.
inline std::string PdfText(const std::string& pdf, const std::string& dir) {
  const std::string path = dir + "/text-of.pdf";
  {
    std::ofstream out(path, std::ios::binary);
    out << pdf;
  }
  std::string text;
  FILE* p = ::popen(("pdftotext -layout '" + path + "' - 2>&1").c_str(), "r");
  if (p == nullptr) return "pdftotext could not start";
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) text.append(buf, n);
  if (::pclose(p) != 0) return "pdftotext failed (poppler-utils installed?): " + text;
  return text;
}

// An executable shell script at dir/name whose body runs with $out set to the path given
// as --print-to-pdf=PATH. Returns its path.
inline std::string FakeChromium(const std::string& dir, const std::string& name,
                                const std::string& body) {
  const std::string path = dir + "/" + name;
  std::ofstream out(path);
  out << "#!/bin/sh\nout=\nfor a in \"$@\"; do case \"$a\" in --print-to-pdf=*) "
         "out=\"${a#--print-to-pdf=}\";; esac; done\n"
      << body << "\n";
  out.close();
  ::chmod(path.c_str(), 0755);
  return path;
}

}  // namespace gridpilot

#endif  // GRIDPILOT_TESTS_SERVICES_CONSOLE_PDF_TEST_TOOLS_H_
