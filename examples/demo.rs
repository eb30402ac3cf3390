//! The main demo (placeholder while the core lands).
fn main() {
    println!("zhengzhao demo");
}
