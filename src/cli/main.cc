// gatehouse: the command-line entry point. (Being written.)
int main() { return 0; }
