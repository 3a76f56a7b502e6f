#ifndef MUON_TARGETS_CPU_PASSES_TD
#define MUON_TARGETS_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def MuonToLinalg : Pass<"muon-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Lower muon ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Element-wise ops become `linalg.generic` with broadcasting indexing maps,
    Gemm/MatMul become `linalg.matmul`/`linalg.batch_matmul`, Conv the NCHW
    named convolutions (grouped and depthwise included) after a `tensor.pad`,
    pooling the NCHW pooling ops. Bias and Gemm's C are written into the
    accumulator before the contraction so no extra pass over the output is
    needed.

    A full dialect conversion: every muon op and quant.scast must convert,
    and unsigned and quantized types become their signless storage types
    (function signature included; unsigned arguments and results keep their
    ONNX type in a `muon.element_type` attribute). An op no pattern lowers
    is reported on that op ("the CPU target cannot lower this form of ...
    yet") and the function is left unchanged. Constants are folded and
    hoisted afterwards.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::scf::SCFDialect"];
}

def MuonTileAndVectorize : Pass<"muon-tile-and-vectorize", "mlir::func::FuncOp"> {
  let summary = "Tile linalg ops on tensors into register-sized blocks and vectorize them";
  let description = [{
    Convolutions become im2col + a contraction. Every contraction (matmul,
    batch_matmul, convolution) is tiled to an MR x NR block of its output
    (MR = `mr`, NR = `nr`, NR along the contiguous output dimension) and its
    reduction to steps of 1, then vectorized: each step is an outer product
    of an MR column of A and an NR row of B into an MR x NR accumulator, which
    stays in registers once bufferization and hoisting run. Element-wise ops
    are vectorized `nr` elements at a time along their innermost dimension.
    Partial tiles are masked.

    A contraction of 8-bit operands into int32 (the extension in its body)
    steps its reduction two at a time when `pair-dot-bits` is set: each step
    widens the two rows of B to i16 and interleaves them, broadcasts each
    row's pair of A as one 32-bit lane, and accumulates with the target's
    exact pair dot product (`llvm.x86.avx512.pmaddw.d.512` or
    `llvm.x86.avx2.pmadd.wd`, i16 x i16 products summed in pairs into i32,
    which cannot overflow for 8-bit inputs). A is widened to i16 once before
    the contraction (at compile time when constant) and a constant B is
    packed at compile time into the interleaved i16 pairs the step reads.
    NCHW convolutions of 8-bit operands (named, or generic with a uint8
    operand) become such a contraction over im2col patches gathered a row
    vector at a time. With `quad-dot-bits`, a contraction whose A is a
    constant int8 matrix (a convolution's filter) steps four k at a time
    with `vpdpbusd` (uint8 x int8 quads summed into i32, no saturation): B
    is read as uint8, b + 128 for a signed B, and the accumulator starts at
    -128 times the sum of A's row.
  }];
  let options = [
    Option<"mr", "mr", "int64_t", "6", "Rows of the register block">,
    Option<"nr", "nr", "int64_t", "16", "Columns of the register block (a multiple of the vector width)">,
    Option<"pairDotBits", "pair-dot-bits", "int64_t", "0",
           "Vector width in bits of the target's exact dot product of i16 "
           "pairs (x86 vpmaddwd): 512 with AVX-512BW, 256 with AVX2, 0 none">,
    Option<"quadDotBits", "quad-dot-bits", "int64_t", "0",
           "Vector width in bits of the target's dot product of quads of "
           "uint8 x int8 into i32 without saturation (x86 vpdpbusd): 512 with "
           "AVX-512 VNNI, 256 with AVX-VNNI, 0 none; used with pair-dot-bits">
  ];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::LLVM::LLVMDialect"];
}

def MuonFoldOperandExtension : Pass<"muon-fold-operand-extension", "mlir::func::FuncOp"> {
  let summary = "Let integer contractions read 8-bit operands and extend them in their body";
  let description = [{
    An int32 matmul, batch_matmul or NCHW convolution whose two operands are
    each an 8-bit tensor widened by an element-wise `arith.extsi`/`arith.extui`
    (or an int32 constant whose values fit in int8) becomes the same
    contraction on the 8-bit tensors, the extension in its body (the same
    named op when both extensions are signed, a `linalg.generic` with the
    op's indexing maps otherwise).
    Tile-and-vectorize computes such 8-bit contractions with exact integer
    pair dot products; the int32 operands would cost four times the memory
    traffic and a 32-bit multiply per product.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::arith::ArithDialect"];
}

def MuonDestinationPassing : Pass<"muon-destination-passing", "mlir::ModuleOp"> {
  let summary = "Give the entry function Muon's C ABI: memref inputs, outputs "
                "written in place, and a workspace argument";
  let description = [{
    `func @main(tensor...) -> tensor...` becomes
    `func @<name>_run(memref inputs..., memref outputs..., memref<0xi8> workspace) -> i32`
    whose body reads the inputs with `bufferization.to_tensor` and stores each
    result with `bufferization.materialize_in_destination`, so bufferization
    computes the outputs in place. `muon-plan-workspace` later sizes the
    workspace argument.
  }];
  let options = [Option<"symbolPrefix", "name", "std::string", "\"model\"",
                        "Prefix of every exported symbol">];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect"];
}

def MuonPlanWorkspace : Pass<"muon-plan-workspace", "mlir::func::FuncOp"> {
  let summary = "Place every buffer of the entry function in the caller's workspace";
  let description = [{
    Replaces each static `memref.alloc` by a `memref.view` into the workspace
    (the function's last argument) at an offset chosen from the buffers'
    live ranges (first fit, 64-byte aligned), so generated code never calls
    malloc. Removes deallocations, resizes the workspace argument and records
    its size in the `muon.workspace_size` attribute.
  }];
}

def MuonExpandFloatConversions : Pass<"muon-expand-float-conversions"> {
  let summary = "Compute float16 and bfloat16 conversions that the target has "
                "no instruction for with integer code";
  let description = [{
    LLVM lowers a float conversion that the target has no instruction for to
    a call of a compiler-runtime helper (`__truncsfbf2`, `__truncdfbf2`,
    `__truncdfhf2`, and without x86's F16C `__truncsfhf2` and
    `__extendhfsf2`). A Muon object may not need them (docs/abi.md), and
    Debian 12's libgcc lacks several. This pass leaves LLVM none to make:

    - arithmetic on bf16, and on f16 unless `native-f16`, computes in f32
      between an `arith.extf` and an `arith.truncf`, as LLVM's promotion
      would; so do f16 fused multiply-adds with `native-f16` (LLVM would
      compute them in f64 and round with `__truncdfhf2`);
    - `arith.truncf` f32 to bf16 becomes integer code that rounds to
      nearest even, and gives a quiet NaN (sign and leading payload bits
      kept) for a NaN;
    - `arith.truncf` f64 to f16 or bf16 first rounds to f32 toward zero and
      sets the last bit when inexact (round to odd), so that the rounding
      to 16 bits that follows is the only one;
    - unless `native-f16`, `arith.truncf` f32 to f16 (rounding to nearest
      even, overflow to infinity, subnormals) and `arith.extf` from f16
      become integer code as well.

    Widening bf16 is a shift, which LLVM does inline.
  }];
  let options = [
    Option<"nativeF16", "native-f16", "bool", "false",
           "The target converts between f16 and f32 in hardware (x86 F16C, "
           "AArch64)">
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect"];
}

def MuonOutlineLayers : Pass<"muon-outline-layers", "mlir::ModuleOp"> {
  let summary = "Move each loop nest of the entry function into a function "
                "of its own, shared by the nests that compute alike";
  let description = [{
    LLVM's optimisation and code generation take time that grows faster
    than the size of a function: a CNN as one function of a hundred
    thousand lines of LLVM IR took a minute. Each top-level op of a public
    function that holds a region and has no results (a loop nest or linalg
    op: a layer, or a fill or copy between layers) becomes a call of a
    private function `<entry>_nest<N>`, internal to the object and marked
    `noinline`. Its arguments are the buffers the nest uses: the entry
    function's arguments, the views of them and the globals (all
    identity-layout memrefs, which the bare-pointer calling convention
    passes as pointers), in the order the nest first uses them; the
    constants, subviews and reshapes of those it uses are cloned into it. A
    nest that uses any other value stays where it is.

    Nests that compute alike on different buffers (the repeated blocks of a
    network: same shapes, other weights and places in the workspace) get
    equal functions, and share the first: an OCR backbone of 693 nests
    needed 258 functions.
  }];
  let statistics = [
    Statistic<"numSharedNests", "shared-nests",
              "Nests that call a function made for an earlier nest">
  ];
  let dependentDialects = ["mlir::func::FuncDialect",
                           "mlir::LLVM::LLVMDialect"];
}

def MuonHoistStaticAllocas : Pass<"muon-hoist-static-allocas", "mlir::func::FuncOp"> {
  let summary = "Allocate stack buffers of a static size once, at the start "
                "of the function";
  let description = [{
    Moves every `memref.alloca` without dynamic sizes out of the loops (and
    other regions) it is in, to the start of the function's entry block.
    convert-vector-to-scf allocates its temporary buffers inside the loops
    they serve, and an alloca in a loop takes new stack space on every
    iteration: without LLVM's promotion of the buffers to registers (-O0,
    -O1) a CNN overflowed the stack. The buffers are temporaries, written
    before they are read in each iteration, so one buffer serves them all.
  }];
}

def MuonKeepCopyLoopsRolled : Pass<"muon-keep-copy-loops-rolled", "mlir::func::FuncOp"> {
  let summary = "Tell LLVM not to unroll loop nests that only move data";
  let description = [{
    Marks every `scf.for` whose body only moves data (copies, fills,
    broadcasts: loads, stores, vector transfers, views and index arithmetic,
    no arithmetic on the data) with an `llvm.loop.unroll.disable` annotation.
    LLVM unrolls such nests of constant trip counts completely: the zero fill
    of a 16x55x55 tensor became one basic block of 3,500 stores, and with
    the instruction schedulers quadratic in a block's length, two such fills
    took 4.2 of the 4.9 seconds of squeezenet's code generation. Unrolled or
    not, a copy is bound by memory; loops that compute keep LLVM's
    unrolling.
  }];
  let statistics = [
    Statistic<"numRolledLoops", "rolled-loops",
              "Loops marked not to be unrolled">
  ];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def MuonFuseElementwise : Pass<"muon-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse element-wise linalg ops into their consumers, except "
                "into contractions and pools";
  let description = [{
    Linalg's element-wise fusion, reshape folding by expansion and constant
    folding, each applied only where the producer has one use and the
    consumer has no reduction loops. Fused into a contraction, a producer
    such as a pooling window would be recomputed for every output it feeds,
    and the contraction would no longer be one that
    `muon-tile-and-vectorize` recognises.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::tensor::TensorDialect"];
}

def MuonDropArgumentNames : Pass<"muon-drop-argument-names", "mlir::func::FuncOp"> {
  let summary = "Remove the ONNX names of function arguments";
  let description = [{
    Removes the `muon.name` attribute of every argument. The entry
    function's arguments keep their ONNX names until the header has been
    written (muonc writes it after muon-cpu-bufferize); LLVM has no use for
    them, and its translation warns about every argument attribute it does
    not know.
  }];
}

def MuonBufferize : Pass<"muon-bufferize", "mlir::ModuleOp"> {
  let summary = "One-shot bufferization of the entry function, copies as "
                "linalg.copy";
  let description = [{
    Runs MLIR's one-shot bufferization on the module: tensors become
    64-byte aligned buffers, in place wherever the analysis proves it safe,
    and a value that needs a copy gets a `linalg.copy`, which lowers to
    loops like everything else (`memref.copy` would need a runtime library
    call for a view that is not contiguous). Buffers of an unknown layout
    get the identity layout.
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::memref::MemRefDialect"];
}

def MuonLowerVectors : Pass<"muon-lower-vectors", "mlir::func::FuncOp"> {
  let summary = "Lower vector ops to the 1-D form LLVM handles well";
  let description = [{
    First moves the accumulators of reduction loops out of them (a
    transfer_read/transfer_write pair of the same buffer around a loop
    becomes a loop-carried vector). Then contractions become outer products
    and those FMAs, multi-reductions inner-parallel reductions, and
    broadcasts, masks, shape casts, transposes (element-wise) and transfer
    permutation maps the 1-D ops that convert-vector-to-llvm lowers.
  }];
  let dependentDialects = ["mlir::vector::VectorDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
}

def MuonApproximateMath : Pass<"muon-approximate-math", "mlir::func::FuncOp"> {
  let summary = "Replace math functions by polynomial approximations";
  let description = [{
    `math.exp`, `math.log`, `math.tanh`, `math.erf` and the others that
    MLIR approximates become polynomials in arith ops: code that vectorizes
    with the rest of a layer and needs no libm in the user's program.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect"];
}

def MuonFlattenGlobals : Pass<"muon-flatten-globals", "mlir::ModuleOp"> {
  let summary = "Give every constant llvm.mlir.global a flat array type";
  let description = [{
    A memref global of rank N becomes a nested LLVM array, which LLVM
    translates into one constant per innermost row: millions for a CNN's
    weights, and minutes of compile time. Each `llvm.mlir.global` of a
    nested array type with a dense or resource value gets the flat array
    of its elements and the value reshaped to it, one ConstantDataArray.
    Accesses are unaffected: with opaque pointers every getelementptr
    carries its own element type.
  }];
}

#endif // MUON_TARGETS_CPU_PASSES_TD
