#![no_std]
// The programs live in main.rs (the `sockscope` bin target built for bpfel-unknown-none).
