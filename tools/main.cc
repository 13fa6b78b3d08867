#include <iostream>

int main() {
  std::cerr << "sigmount: not implemented yet\n";
  return 2;
}
