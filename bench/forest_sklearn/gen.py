# gen.py: the data set of bench/forest_sklearn/run.sh (seeded).
import numpy as np
r=np.random.default_rng(1)
def make(n):
    X=r.integers(0,8,size=(n,6)).astype(float); X[:,5]=np.log2(2**r.integers(0,6,size=n))
    y=((X[:,0]+0.5*X[:,1]-X[:,5]>4)^(r.random(n)<0.1)).astype(int); return X,y
X,y=make(300); Xt,yt=make(2000); w=np.where(y==1, r.random(300)*2, 1.0)
np.savetxt('train.txt',np.column_stack([X,y,w])); np.savetxt('test.txt',np.column_stack([Xt,yt]))
